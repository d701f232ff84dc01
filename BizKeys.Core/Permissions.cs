namespace BizKeys.Core;

/// <summary>The permissions BizKeys itself acts on; the rest of the catalogue belongs to the platform's own API.</summary>
public static class Permissions
{
    public const string KeysRead = "keys:read";
    public const string KeysWrite = "keys:write";
    public const string KeysVerify = "keys:verify";
    public const string UsageRead = "usage:read";
}
