"""Outputs: workbooks, charts, print maps, the PDF report, web-map data and tiles."""
