namespace BizKeys.Core.ApiKeys;

public enum SecretMatch
{
    None,
    Current,
    /// <summary>The secret from before the last rotation, still inside its grace period.</summary>
    Previous,
}
