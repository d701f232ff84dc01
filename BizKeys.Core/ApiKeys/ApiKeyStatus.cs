namespace BizKeys.Core.ApiKeys;

public enum ApiKeyStatus
{
    Active,
    Expired,
    Revoked,
}
