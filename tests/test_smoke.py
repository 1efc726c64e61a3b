def test_help_lists_amicable_and_django_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for name in ("import", "demo", "creditors", "bench", "migrate", "createsuperuser", "runserver"):
        assert name in result.output
