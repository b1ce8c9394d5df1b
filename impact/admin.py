from django.contrib import admin

from impact.models import OfficialScope

admin.site.register(OfficialScope)
