namespace BizKeys.AspNetCore;

public static class ApiKeyDefaults
{
    public const string Scheme = "BizKeysApiKey";
    public const string PermissionClaim = "bizkeys:permission";
    public const string AccountClaim = "bizkeys:account";
    public const string KeyClaim = "bizkeys:key";
    /// <summary>Any valid key and secret, whatever its permissions.</summary>
    public const string AnyKeyPolicy = "ApiKey";

    /// <summary>The policy that requires a key holding <paramref name="permission"/>.</summary>
    public static string PolicyFor(string permission) => "ApiKey:" + permission;
}
