"""AWS quotas the local Translate endpoint can enforce, so tests prove a client lives within them.

Amazon Translate runs one parallel-data create or update at a time per account and Region: a
second one, while the first is CREATING or UPDATING, gets LimitExceededException (quotas page,
amazon-translate.md §1). Off by default until the experiment serialises its imports (it starts
up to four at once); `AWS_QUOTAS` switches every quota on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocalQuotas:
    """Which AWS quotas to enforce.

    - one_parallel_data_import: refuse a CreateParallelData or UpdateParallelData with
      LimitExceededException while another resource is CREATING or UPDATING.
    """

    one_parallel_data_import: bool = False


AWS_QUOTAS = LocalQuotas(one_parallel_data_import=True)
