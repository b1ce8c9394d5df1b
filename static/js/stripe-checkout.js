// The Stripe payment page. The browser only collects the card (Stripe Elements), lets the
// bank check the buyer (3-D Secure) and opens Alipay or WeChat Pay; the server confirms
// the card, checks every payment with Stripe and places the order.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("stripe-config").textContent);
  const form = document.getElementById("stripe-payment");
  const message = document.getElementById("payment-message");
  const button = document.getElementById("pay-button");
  const cardBox = form.querySelector(".pay-card");
  const stripe = Stripe(config.publishableKey, { locale: config.locale });
  const card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#card-element");

  function say(text) {
    message.textContent = text || "";
  }

  function busy(on) {
    button.disabled = on;
    if (on) say(config.messages.working);
  }

  function submitWith(name, value) {
    form.elements[name].value = value;
    form.submit();
  }

  function chosenMethod() {
    return form.querySelector("input[name=method]:checked").value;
  }

  // Stripe.js makes PaymentMethods; localstripe's stand-in (tests, local demo) only makes
  // cards through tokens, which Stripe accepts as payment methods too.
  async function cardPaymentMethod() {
    const created = await stripe.createPaymentMethod({ type: "card", card: card });
    if (created) return created.error ? { error: created.error } : { id: created.paymentMethod.id };
    const tokenised = await stripe.createToken(card);
    return tokenised.error ? { error: tokenised.error } : { id: tokenised.token.card.id };
  }

  // Each wallet: Stripe.js's function for it and that function's options.
  const wallets = {
    alipay: ["confirmAlipayPayment", { return_url: config.returnUrl }],
    wechat_pay: ["confirmWechatPayPayment", { payment_method_options: { wechat_pay: { client: "web" } } }],
  };

  form.querySelectorAll("input[name=method]").forEach((radio) => {
    if (wallets[radio.value] && typeof stripe[wallets[radio.value][0]] !== "function") {
      radio.disabled = true;
      radio.parentElement.title = config.messages.notAvailable;
    }
    radio.addEventListener("change", () => {
      cardBox.hidden = chosenMethod() !== "card";
      say("");
    });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(true);
    const method = chosenMethod();
    if (method === "card") {
      const created = await cardPaymentMethod();
      if (created.error) {
        busy(false);
        say(created.error.message || config.messages.cardIncomplete);
        return;
      }
      submitWith("payment_method", created.id);
      return;
    }
    // Alipay leaves for its own page and comes back to the return address; WeChat Pay shows
    // its QR code here. Either way the server checks the payment before placing the order.
    const [confirm, options] = wallets[method];
    const result = await stripe[confirm](config.clientSecret, options);
    if (result && result.error) {
      busy(false);
      say(result.error.message);
      return;
    }
    submitWith("payment_intent", config.intent);
  });

  // The bank wants the buyer to confirm the card payment just submitted: Stripe.js shows its
  // check; the server then looks at how it ended, success or not.
  if (config.authenticate) {
    busy(true);
    stripe.confirmCardPayment(config.clientSecret).then(() => submitWith("payment_intent", config.intent));
  }
})();
