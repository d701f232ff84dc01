using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using FluentValidation;

namespace BizKeys.Admin.Components.Shared;

/// <summary>
/// What Core refuses with a message meant for the person: invalid input, someone else changed the key, it is revoked
/// or gone, or the person lost the role or the account while the dialog was open. Dialogs show these; they never end
/// the page. Anything else is a fault, and goes to the error page and the log.
/// </summary>
public static class Refusals
{
    /// <summary>Removed from the account (or the account is gone) while a page was open.</summary>
    public const string AccessLost = "You no longer have access to this account. Reload to continue in one you can use.";

    public static string? Message(Exception e) => e switch
    {
        ValidationException v => string.Join(" ", v.Errors.Select(x => x.ErrorMessage).Distinct()),
        ConcurrencyConflictException or ApiKeyStateException or ApiKeyNotFoundException or AccessDeniedException or AccountNotFoundException
            or BizKeys.Core.Notifications.WebhookNotFoundException => e.Message,
        _ => null,
    };
}
