"""The portal's URLs plus a stock Django admin on the same models: the benchmark's reference.

``bench_scale`` serves this URLconf so every admin screen is timed beside what Django's own
``ModelAdmin`` does with the same rows (default list, default counts, inlines rendered in full).
"""

from django.contrib import admin
from django.urls import path

from activities.models import Activity
from cadres.models import BranchMembership, Cadre, PartyBranch
from config.urls import urlpatterns as portal_urlpatterns

stock = admin.AdminSite(name="stock")


class StockCadreAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "birth_date", "community"]
    list_select_related = ["community"]
    search_fields = ["name", "name_pinyin", "name_initials"]


class StockActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "starts_at", "status"]
    list_select_related = ["community"]


class StockMemberInline(admin.TabularInline):
    model = BranchMembership
    fields = ["cadre", "relation", "joined_on", "left_on"]
    raw_id_fields = ["cadre"]


class StockBranchAdmin(admin.ModelAdmin):
    raw_id_fields = ["community", "venue", "secretary"]
    inlines = [StockMemberInline]


stock.register(Cadre, StockCadreAdmin)
stock.register(Activity, StockActivityAdmin)
stock.register(PartyBranch, StockBranchAdmin)

urlpatterns = [path("stock-admin/", stock.urls), *portal_urlpatterns]
