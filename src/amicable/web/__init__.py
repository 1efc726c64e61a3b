"""What the portal and the console share: signed links, attempt limits, security headers, the base
template and the stylesheet. No business logic lives here."""
