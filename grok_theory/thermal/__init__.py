"""Thermal (Langevin) noise in the solvable models (Jules, Brener, Kachman, Levi & Bar-Sinai 2023).

* :mod:`.langevin` — Langevin gradient flow and SGLD in the linear teacher–student model: mean and
  variance of the train/generalisation losses at any t and temperature as MP expectations;
* :mod:`.fluctuation` — stationary fluctuations, the effective dimension they reveal, and the
  effect of temperature on crossing and grokking times;
* :mod:`.simplified_loss` — an exponential-tail classification loss (our tractable model in the
  spirit of the paper's simplified model, whose text we could not read);
* :mod:`.simulate` — real Langevin/SGLD runs on sampled data (seeds, spreads, z-scores).
"""
from grok_theory.thermal.langevin import LangevinTeacherStudent
from grok_theory.thermal.fluctuation import (critical_temperatures, crossing_time, effective_dimension,
                                             grokking_time, stationary_dimension)
from grok_theory.thermal.simplified_loss import ExponentialWall

__all__ = ["LangevinTeacherStudent", "effective_dimension", "stationary_dimension", "crossing_time", "grokking_time",
           "critical_temperatures", "ExponentialWall"]
