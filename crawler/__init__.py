"""Scrapy project: spiders that find annual reports on government portals (issue 6)."""
