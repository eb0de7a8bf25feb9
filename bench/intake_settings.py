"""Settings of the intake benchmark's server: the product's, with the bench's URLconf.

Used only by ``bench/intake_api.py`` (``DJANGO_SETTINGS_MODULE=intake_settings`` with
``bench/`` on the Python path); the product never imports it.
"""

from civicgrid.settings import *  # noqa: F403

ROOT_URLCONF = "intake_urls"
