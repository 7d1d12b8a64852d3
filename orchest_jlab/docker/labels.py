"""The label prefix of every container, network and image made here (and of their names)."""

LABEL = "orchest-jlab"
