"""Rule packs. A pack applies when the debtor's jurisdictions and the creditor's role call for it
(engine.applicable_packs); every rule in it is then checked against the contact."""

from . import (
    generic,
    uk,
    uk_arrears,
    us_ma,
    us_regf,
    us_regf_channels,
    us_regf_content,
    us_regf_patterns,
    us_states,
    us_tcpa,
)

RULES = (
    *us_regf.RULES,
    *us_regf_content.RULES,
    *us_regf_patterns.RULES,
    *us_regf_channels.RULES,
    *us_tcpa.RULES,
    *us_ma.RULES,
    *us_states.RULES,
    *uk.RULES,
    *uk_arrears.RULES,
    *generic.RULES,
)
