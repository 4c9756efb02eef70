"""The statutory route, one module per stage: assessment, plan, placement, redress, tribunal, reviews. Each module
reads like its part of the Children and Families Act 2014 and the SEND Regulations 2014.
"""
