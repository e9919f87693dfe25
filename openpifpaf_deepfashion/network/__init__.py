"""Network parts this plugin adds to OpenPifPaf's: heads and trunk modules."""
