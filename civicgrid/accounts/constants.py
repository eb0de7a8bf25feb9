class Verb:
    USER_CREATED = "accounts.user_created"
    USER_CHANGED = "accounts.user_changed"
    USER_DELETED = "accounts.user_deleted"
    ROLE_GRANTED = "accounts.role_granted"
    ROLE_REVOKED = "accounts.role_revoked"
    ADMIN_ROLE_SET = "accounts.admin_role_set"
    PASSWORD_SET = "accounts.password_set"  # noqa: S105 - an event name
    TOKEN_CREATED = "accounts.token_created"  # noqa: S105 - an event name
    TOKEN_REVOKED = "accounts.token_revoked"  # noqa: S105 - an event name
    SIGNED_OUT = "accounts.signed_out"  # the security administrator ended an account's sessions


# i18n: data (names of the auth groups in the database, created by a migration)
ADMIN_GROUPS = {"system": "系统管理员", "security": "安全管理员"}
