"""The Amazon.Lambda.Annotations split: classes placed per architecture, projects whose generators own one template each."""
