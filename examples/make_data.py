"""Make data: a month of made-up daily temperature readings."""

import random

import orchest

days = orchest.get_step_param("days")
rng = random.Random(orchest.get_step_param("seed"))

readings = [{"day": day + 1, "celsius": round(rng.gauss(18, 6), 1)} for day in range(days)]
print(f"made {len(readings)} readings")

orchest.output(readings, name="readings")
