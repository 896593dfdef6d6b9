# A conftest.py at the root puts the root on sys.path, so that the tests import `inventory`.
