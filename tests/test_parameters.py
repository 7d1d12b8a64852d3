import pytest

from orchest_jlab.pipelines import ParameterError, pipeline_parameters, step_parameters

PIPELINE = {
    "parameters": {"unit": "celsius", "limit": 10},
    "steps": {"s": {"title": "Make data", "parameters": {"days": 30, "seed": 42}}, "t": {"title": "T"}},
}


def test_defaults():
    assert pipeline_parameters(PIPELINE) == {"unit": "celsius", "limit": 10}
    assert step_parameters(PIPELINE, "s") == {"days": 30, "seed": 42}
    assert step_parameters(PIPELINE, "t") == {}


def test_overrides_replace_defaults_without_touching_the_document():
    assert step_parameters(PIPELINE, "s", {"days": 7}) == {"days": 7, "seed": 42}
    assert PIPELINE["steps"]["s"]["parameters"]["days"] == 30
    assert pipeline_parameters(PIPELINE, {"unit": "kelvin"})["unit"] == "kelvin"


def test_an_override_without_a_default_is_refused():
    with pytest.raises(ParameterError, match="Step \"Make data\" has no parameter\\(s\\) 'dayz'"):
        step_parameters(PIPELINE, "s", {"dayz": 7})
    with pytest.raises(ParameterError, match="The pipeline has no parameter"):
        pipeline_parameters(PIPELINE, {"x": 1})


def test_unknown_step():
    with pytest.raises(ParameterError, match='no step "zzz"'):
        step_parameters(PIPELINE, "zzz")
