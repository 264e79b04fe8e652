"""In-memory implementations of the domain's ports (chalicelib/domain/ports), for fast use-case
tests. tests/contract runs one suite against each fake and the DynamoDB store it stands for, so
a fake that drifts from the real store fails there first."""
