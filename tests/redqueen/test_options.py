"""Arena option declarations: conversion of command-line text and typed values, and the one
line a bad value gets."""
import pytest

from redqueen.options import Option, OptionError, check_options

COUNT = Option(int, 10, "a count", 1, 100)
RATE = Option(float, 0.0, "a rate", 0.0, 0.5)
FLAG = Option(bool, True, "a switch")
DECLARED = {"count": COUNT, "rate": RATE, "flag": FLAG}


@pytest.mark.parametrize("option, given, expected", [
    (COUNT, "7", 7), (COUNT, " 7 ", 7), (COUNT, 7, 7), (COUNT, 7.0, 7),
    (RATE, "0.25", 0.25), (RATE, "0", 0.0), (RATE, 0, 0.0), (RATE, 0.5, 0.5),
    (FLAG, "true", True), (FLAG, "Off", False), (FLAG, False, False),
])
def test_good_values_convert(option, given, expected):
    converted = option.convert("x", given)
    assert converted == expected and type(converted) is option.type


@pytest.mark.parametrize("option, given, message", [
    (COUNT, "abc", "option x: expected an integer from 1 to 100, got 'abc'"),
    (COUNT, "2.5", "option x: expected an integer from 1 to 100, got '2.5'"),
    (COUNT, 2.5, "option x: expected an integer from 1 to 100, got 2.5"),
    (COUNT, True, "option x: expected an integer from 1 to 100, got True"),
    (COUNT, "0", "option x: expected an integer from 1 to 100, got '0'"),
    (COUNT, "101", "option x: expected an integer from 1 to 100, got '101'"),
    (RATE, "nan", "option x: expected a number from 0 to 0.5, got 'nan'"),
    (RATE, "inf", "option x: expected a number from 0 to 0.5, got 'inf'"),
    (RATE, "2", "option x: expected a number from 0 to 0.5, got '2'"),
    (FLAG, "maybe", "option x: expected true or false, got 'maybe'"),
    (FLAG, 1, "option x: expected true or false, got 1"),
])
def test_bad_values_are_one_line(option, given, message):
    with pytest.raises(OptionError) as error:
        option.convert("x", given)
    assert str(error.value) == message


def test_only_given_options_are_returned_and_unknown_ones_name_the_valid():
    assert check_options("game", DECLARED, {"rate": "0.1"}) == {"rate": 0.1}
    with pytest.raises(OptionError) as error:
        check_options("game", DECLARED, {"speed": "3"})
    assert str(error.value) == "unknown option speed for arena game (valid: count, rate, flag)"


def test_expectation_without_an_upper_bound():
    assert Option(int, 5, "cycles", 1).expectation() == "an integer >= 1"
    assert Option(str, "a", "text").expectation() == "text"
