"""Open311 GeoReport v2's client applications and their api_keys (the web adapter: service/web/open311.py)."""
