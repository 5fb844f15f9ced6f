"""revmod: an open platform that runs a treaty implementation review mechanism end to end."""
