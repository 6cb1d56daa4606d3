"""Rules as data: activation and loss registries, the opaque network functions, and the notation
table of their forms (:mod:`.notation_table`; add an activation with :mod:`.registration`)."""

from .activations import ACTIVATIONS, Activation, activation
from .functions import relu, sigmoid, softplus
from .losses import LOSSES, Loss, loss

__all__ = ["ACTIVATIONS", "Activation", "activation", "LOSSES", "Loss", "loss",
           "sigmoid", "relu", "softplus"]
