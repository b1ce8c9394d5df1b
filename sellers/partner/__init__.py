default_app_config = 'sellers.partner.apps.PartnerConfig'
