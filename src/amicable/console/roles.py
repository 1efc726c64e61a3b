"""The three roles as Django groups, kept in step after every migrate: agents work the queue;
supervisors also see sensitive notes and edit playbooks and templates; admins also manage staff."""

from __future__ import annotations

from .models import Role

# Permissions each role adds to the ones before it (app_label.codename).
GRANTS = {
    Role.AGENT: [],
    Role.SUPERVISOR: ["ledger.view_sensitivenote"],
    Role.ADMIN: ["ledger.view_sensitivenote", "console.add_assignment", "console.delete_assignment"],
}


def ensure_roles(**_kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        for grant in grants:
            app_label, codename = grant.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
