from django.urls import path

from cybercap.network import views

app_name = "network"

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("topics/", views.topic_list, name="topic_list"),
]
