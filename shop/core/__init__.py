"""The kernel: what every app uses (money, errors, i18n, romanization, the API's error body and
shared fields). It imports no app of ours; `lint-imports` checks that."""
