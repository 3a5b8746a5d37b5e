using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Storekeep.Data;

/// <summary>Enums are stored as their snake_case names, so the database reads like the API.</summary>
public static class EnumColumn
{
    public static PropertyBuilder<TEnum> AsSnakeCaseString<TEnum>(this PropertyBuilder<TEnum> property)
        where TEnum : struct, Enum =>
        property.HasConversion(new ValueConverter<TEnum, string>(
            v => StorekeepDbContext.ToSnakeCase(v.ToString()),
            v => Enum.Parse<TEnum>(v.Replace("_", "", StringComparison.Ordinal), true))).HasMaxLength(32);
}
