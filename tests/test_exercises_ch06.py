import pytest

from companion import exercises, retail, simulate


@pytest.fixture(scope="module")
def sales():
    return simulate.simulate_retail(random_seed=3)[0]


def test_06_1_accepts_the_new_brand_variables_in_any_order():
    answer = ["product_sd", "brand_sd", "category_effect", "colour_effect", "intercept"]
    assert exercises.check("06-1", answer).correct


KNOWN = ["intercept", "colour_effect", "category_effect"]


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ([*KNOWN, "brand_effect", "product_sd"], "*fitted* brand"),
        ([*KNOWN, "brand_sd", "product_raw"], "*fitted* product"),
        (["log_demand"], "out-of-bounds"),
        ([*KNOWN, "product_sd"], "brand_sd"),
        ([*KNOWN, "brand_sd"], "product_sd"),
        ([*KNOWN, "brand_sd", "product_sd", "alpha"], "weekly noise"),
        ([*KNOWN, "brand_sd", "product_sd", "category_sd"], "does not enter"),
        ("intercept", "list of variable names"),
    ],
)
def test_06_1_rejects_with_a_hint(answer, hint):
    feedback = exercises.check("06-1", answer)
    assert not feedback.correct
    assert hint in feedback.message


ALL_FOUR = ["colour", "brand", "category", "price_band"]


def test_06_2_accepts_the_model_with_price_band_and_smaller(sales):
    model = retail.crossed_model(sales, attributes=ALL_FOUR)
    assert exercises.check("06-2", (model, "smaller")).correct
    assert exercises.check("06-2", (model, " Smaller ")).correct


@pytest.mark.parametrize(
    ("attributes", "hint"),
    [
        (["colour", "brand", "category"], "no price_band_effect"),
        (["colour", "category", "price_band"], "brand_effect is gone"),
    ],
)
def test_06_2_rejects_models_without_the_right_attributes(sales, attributes, hint):
    answer = (retail.crossed_model(sales, attributes=attributes), "smaller")
    feedback = exercises.check("06-2", answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_06_2_rejects_a_wrong_or_missing_prediction(sales):
    model = retail.crossed_model(sales, attributes=ALL_FOUR)
    for answer, hint in [
        ((model, "larger"), "the prediction is not"),
        ((model, "same"), '"larger" or "smaller"'),
        (model, "also give your prediction"),
    ]:
        feedback = exercises.check("06-2", answer)
        assert not feedback.correct
        assert hint in feedback.message


def test_06_2_rejects_a_non_model():
    feedback = exercises.check("06-2", ("price_band", "smaller"))
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
