"""cardbridge on a clinician's workstation: the user service and the system files.

The files an administrator installs from the source tree are named here once, so that
``cardbridge doctor``'s advice and the tests that validate those files agree.
"""

PCSC_GROUP = "pcscd"
"""The group given the card readers (udev) and the smart-card service (polkit rule)."""

UDEV_RULES = "udev/60-cardbridge-readers.rules"
"""udev rules for the readers, relative to the source tree; go to ``/etc/udev/rules.d/``."""

POLKIT_RULE = "polkit/50-cardbridge-pcscd.rules"
"""polkit rule letting :data:`PCSC_GROUP` use pcscd; goes to ``/etc/polkit-1/rules.d/``."""
