"""The Models & data tab's logic: what the app has now, as plain data (``state.overview``)."""
