"""Rules as data: activation and loss registries, and the opaque network functions."""

from .activations import ACTIVATIONS, Activation, activation
from .functions import relu, sigmoid, softplus
from .losses import LOSSES, Loss, loss

__all__ = ["ACTIVATIONS", "Activation", "activation", "LOSSES", "Loss", "loss",
           "sigmoid", "relu", "softplus"]
