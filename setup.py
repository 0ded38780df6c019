"""The one compiled part: extract/pdfium_bulk.c, a plain shared library that extract/pdfium_bulk.py
loads with ctypes (everything else is in pyproject.toml)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("extract._pdfium_bulk", ["extract/pdfium_bulk.c"], extra_compile_args=["-O2"])])
