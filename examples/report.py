"""Report: print the hottest days."""

import orchest

data = orchest.get_inputs()["temperatures"]
hottest = sorted(data["temperatures"], key=lambda r: r["temperature"], reverse=True)
hottest = hottest[: orchest.get_step_param("hottest")]

print(f"The {len(hottest)} hottest days ({data['unit']}):")
for reading in hottest:
    print(f"  day {reading['day']:>2}: {reading['temperature']}")
