"""AWS quotas the local Translate endpoint enforces, so that every test proves a client lives
within them.

Amazon Translate runs one parallel-data create or update at a time per account and Region: a
second one, while the first is CREATING or UPDATING, gets LimitExceededException (quotas page,
amazon-translate.md §1). On by default, as on AWS: the client serialises its imports
(TranslateService.parallel_data_turn). A test that needs imports side by side opts out with
`NO_QUOTAS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocalQuotas:
    """Which AWS quotas to enforce (all, by default).

    - one_parallel_data_import: refuse a CreateParallelData or UpdateParallelData with
      LimitExceededException while another resource is CREATING or UPDATING.
    """

    one_parallel_data_import: bool = True


AWS_QUOTAS = LocalQuotas()
NO_QUOTAS = LocalQuotas(one_parallel_data_import=False)
