import pytest

from companion import exercises, retail


@pytest.fixture(scope="module")
def sales():
    return retail.simulate_retail(seed=3)[0]


@pytest.mark.parametrize("key", ["06-1", "06-2", "06-3"])
@pytest.mark.parametrize("blank", [None, ...])
def test_blank_answer_is_not_yet_without_error(key, blank):
    feedback = exercises.check(key, blank)
    assert not feedback.correct
    assert "no answer yet" in feedback.message


def test_06_1_accepts_the_population_variables_in_any_order():
    answer = ["product_sd", "category_effect", "brand_effect", "colour_effect", "intercept"]
    assert exercises.check("06-1", answer).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (
            ["intercept", "colour_effect", "brand_effect", "category_effect", "product_raw"],
            "fitted",
        ),
        (["log_demand"], "out-of-bounds"),
        (["intercept", "colour_effect", "brand_effect", "category_effect"], "product_sd"),
        (
            [
                "intercept",
                "colour_effect",
                "brand_effect",
                "category_effect",
                "product_sd",
                "alpha",
            ],
            "weekly noise",
        ),
        ("intercept", "list of variable names"),
    ],
)
def test_06_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("06-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_06_2_accepts_the_model_with_price_band(sales):
    model = retail.crossed_model(sales, attributes=["colour", "brand", "category", "price_band"])
    assert exercises.check("06-2", model).correct


@pytest.mark.parametrize(
    ("attributes", "hint"),
    [
        (["colour", "brand", "category"], "no price_band_effect"),
        (["colour", "category", "price_band"], "brand_effect is gone"),
    ],
)
def test_06_2_rejects_models_without_the_right_attributes(sales, attributes, hint):
    feedback = exercises.check("06-2", retail.crossed_model(sales, attributes=attributes))
    assert not feedback.correct
    assert hint in feedback.message


def test_06_2_rejects_a_non_model():
    feedback = exercises.check("06-2", "price_band")
    assert not feedback.correct and "pm.Model" in feedback.message


def test_06_3_accepts_a_coverage_near_one_half():
    assert exercises.check("06-3", 0.578).correct


@pytest.mark.parametrize(
    ("answer", "hint"),
    [(0.91, "90% interval"), (0.2, "far from one half"), (1.7, "between 0 and 1")],
)
def test_06_3_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("06-3", answer)
    assert not feedback.correct
    assert hint in feedback.message
