"""Production settings: the defaults of `revmod.settings`, minus everything unsafe.

Start-up fails loudly rather than running with a development secret key or with DEBUG on.
"""

import os

# Production sends real mail unless EMAIL_TRANSPORT says otherwise (read by revmod.settings).
os.environ.setdefault("REVMOD_DEFAULT_EMAIL_TRANSPORT", "smtp")

from django.core.exceptions import ImproperlyConfigured

from revmod.settings import *  # noqa: F403
from revmod.settings import DEFAULT_SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set it to 0).")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 40 characters.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this server answers to.")

WHITENOISE_USE_FINDERS = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
