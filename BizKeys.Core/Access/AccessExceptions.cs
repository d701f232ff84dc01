namespace BizKeys.Core.Access;

/// <summary>The actor is not part of the account: to them it does not exist (404, never 403).</summary>
public sealed class AccountNotFoundException() : Exception("This account does not exist or you are not a member of it.");

/// <summary>The actor may see the account but not do this (403).</summary>
public class AccessDeniedException(string message) : Exception(message);

/// <summary>Support staff without a live grant for the account: they open it with a reason first.</summary>
public sealed class SupportGrantRequiredException(Guid accountId)
    : AccessDeniedException("Open this account with a reason first: support reads an account only during a time-limited grant.")
{
    public Guid AccountId { get; } = accountId;
}
