"""The error body's `fields`: every value a list of strings, whatever shape DRF's errors had."""

from shop.core.api import flat_messages


def test_it_keeps_a_plain_list_of_messages():
    assert flat_messages(["Too long."]) == ["Too long."]


def test_it_names_the_items_of_a_list_of_objects_by_index_and_field():
    errors = [{}, {"weight_kg": ["A number is required."], "grade": ["Choose one."]}]

    assert flat_messages(errors) == ["1.weight_kg: A number is required.", "1.grade: Choose one."]


def test_it_names_the_items_of_a_list_of_values_by_index():
    assert flat_messages({"3": ["A valid integer is required."]}) == ["3: A valid integer is required."]
