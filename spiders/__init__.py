"""The one spider flow (base.py) shared by every site, and the ad hoc spider; sites are data."""
