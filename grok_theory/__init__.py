"""grok-theory: the exactly solvable theory of grokking.

Levi, Beck & Bar-Sinai (ICLR 2024) showed that a linear student learning a linear teacher on
Gaussian inputs already groks; its learning curves are expectations over the
Marchenko–Pastur law. This package computes them exactly (float64 or any precision),
derives them with SymPy, and checks them against simulations of real gradient descent.
"""
from grok_theory.angle_rule import QuadratureError
from grok_theory.mp_law import MarchenkoPastur, narayana_moment

__version__ = "0.1.0"

__all__ = ["MarchenkoPastur", "QuadratureError", "narayana_moment", "__version__"]
