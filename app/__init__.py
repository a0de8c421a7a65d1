"""kumuhgis web map (Flask + Folium), to come: see issue "Web map viewer".

The core package never imports this one; views will call one core function each.
"""
