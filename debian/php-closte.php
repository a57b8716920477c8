mod debian/closte.ini
