using System.Text.RegularExpressions;
using FluentValidation.Results;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace PermitTracker.Web.Infrastructure;

public static partial class ValidationExtensions
{
    /// <summary>Puts FluentValidation's errors into ModelState under "prefix.Property", so each shows beside its field.</summary>
    public static void AddErrors(this ModelStateDictionary modelState, ValidationResult result, string prefix = "Input")
    {
        foreach (var error in result.Errors)
            modelState.AddModelError(string.IsNullOrEmpty(error.PropertyName) ? "" : $"{prefix}.{Indexer().Replace(error.PropertyName, "")}", error.ErrorMessage);
    }

    /// <summary>"Steps[2]" (an error of one line of a field) shows beside the field "Steps".</summary>
    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Indexer();
}
