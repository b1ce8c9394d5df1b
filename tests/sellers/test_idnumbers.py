from datetime import date

from sellers import idnumbers


def test_it_accepts_the_standard_example_number():
    assert idnumbers.is_valid("11010519491231002X")


def test_it_rejects_a_wrong_check_digit():
    assert not idnumbers.is_valid("110105194912310021")


def test_it_rejects_an_impossible_birth_date():
    number = "53062319491331002"
    assert not idnumbers.is_valid(number + idnumbers.check_digit(number))


def test_made_numbers_are_valid():
    number = idnumbers.make(county_code="530623", birth=date(1970, 5, 4), sequence=901)
    assert number.startswith("53062319700504901") and idnumbers.is_valid(number)
