using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Admin.Components.Shared;

/// <summary>
/// What Core refuses with a message meant for the person: someone else changed the key, it is revoked or gone, or
/// the person lost the role or the account while the dialog was open. Dialogs show these; they never end the page.
/// </summary>
public static class Refusals
{
    public static bool IsRefusal(Exception e) =>
        e is ConcurrencyConflictException or ApiKeyStateException or ApiKeyNotFoundException or AccessDeniedException or AccountNotFoundException;
}
