from django.contrib import admin

from cybercap.network.models import Agency, Country, Person, Topic


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "asean_joined", "is_guest", "time_zone"]
    list_filter = ["is_guest"]
    search_fields = ["code", "name", "official_name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "is_demo"]
    list_filter = ["kind", "country", "is_demo"]
    search_fields = ["name", "acronym"]
    list_select_related = ["country"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "latin_name", "agency", "country", "role_title", "gender"]
    list_filter = ["country", "gender", "is_demo"]
    search_fields = ["full_name", "latin_name", "email"]
    list_select_related = ["agency", "country"]
    raw_id_fields = ["agency", "user"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "parent", "retired", "taxonomy_version"]
    list_filter = ["retired"]
    search_fields = ["key", "name"]
    list_select_related = ["parent"]
