"""English date and time formats: every time shown names its zone (the district's, see
tenants.middleware.DistrictTimeZoneMiddleware)."""

DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i T"
