"""The Search test double evaluates expressions as the Search API documents them (tests that use
it to stand in for AWS rely on this)."""

from __future__ import annotations

from searchdouble import SearchDouble, expression_holds

JOB = {"TrainingJobName": "a", "ModelArtifacts": {"S3ModelArtifacts": "s3://b/a.tar.gz"}}


def equals(name: str, value: str) -> dict[str, str]:
    return {"Name": name, "Operator": "Equals", "Value": value}


def test_filters_are_anded_unless_the_operator_is_or() -> None:
    hit, miss = equals("TrainingJobName", "a"), equals("TrainingJobName", "z")
    assert expression_holds(JOB, {"Filters": [hit]})
    assert not expression_holds(JOB, {"Filters": [hit, miss]})
    assert expression_holds(JOB, {"Operator": "Or", "Filters": [miss, hit]})
    nested = {"Operator": "Or", "SubExpressions": [{"Filters": [miss]}, {"Filters": [hit]}]}
    assert expression_holds(JOB, nested)
    assert not expression_holds(JOB, {"SubExpressions": [{"Filters": [miss]}, {"Filters": [hit]}]})


def test_a_dotted_property_is_looked_up_and_a_missing_one_never_matches() -> None:
    assert expression_holds(
        JOB, {"Filters": [equals("ModelArtifacts.S3ModelArtifacts", "s3://b/a.tar.gz")]}
    )
    assert not expression_holds(
        JOB, {"Filters": [equals("ModelArtifacts.Nope", "s3://b/a.tar.gz")]}
    )


def test_answers_come_in_pages_and_other_resources_go_on_to_moto() -> None:
    double = SearchDouble({"TrainingJob": [{**JOB, "TrainingJobName": str(i)} for i in range(150)]})
    first = double({"Resource": "TrainingJob", "MaxResults": 100})
    assert len(first["Results"]) == 100
    second = double({"Resource": "TrainingJob", "MaxResults": 100, "NextToken": first["NextToken"]})
    assert [r["TrainingJob"]["TrainingJobName"] for r in second["Results"]] == [
        str(i) for i in range(100, 150)
    ]
    assert "NextToken" not in second
    assert double({"Resource": "Endpoint"}) is None
